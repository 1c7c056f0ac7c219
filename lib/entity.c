/* entity.c: being written */
