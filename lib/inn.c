/* inn.c: not yet written */
