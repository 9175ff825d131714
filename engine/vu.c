/* placeholder: vu is being written */
