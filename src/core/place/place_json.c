/* place_json.c - (being written) */
