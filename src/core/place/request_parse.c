/* request_parse.c - (being written) */
