/* placeholder: config is being written */
