/* cond.c: not yet written */
