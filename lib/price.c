/* price.c: not yet written */
