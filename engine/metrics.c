/* placeholder: metrics is being written */
