/* cml.c: not yet written */
