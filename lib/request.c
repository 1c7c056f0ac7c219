/* request.c: being written */
