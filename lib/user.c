/* user.c: being written */
