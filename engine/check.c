/* placeholder: check is being written */
