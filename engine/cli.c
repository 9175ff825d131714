/* placeholder: cli is being written */
