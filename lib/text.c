/* text.c: not yet written */
