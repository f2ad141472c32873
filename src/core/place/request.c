/* request.c - (being written) */
