/* place_config.c - (being written) */
