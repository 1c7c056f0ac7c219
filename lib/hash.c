/* hash.c: not yet written */
