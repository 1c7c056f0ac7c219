/* xml.c: not yet written */
