/* placeholder: transport is being written */
