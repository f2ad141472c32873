/* place_xml.c - (being written) */
