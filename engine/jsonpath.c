/* placeholder: jsonpath is being written */
