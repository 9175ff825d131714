/* placeholder: gate is being written */
