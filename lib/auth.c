/* auth.c: being written */
