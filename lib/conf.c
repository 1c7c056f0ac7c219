/* conf.c: not yet written */
