/* placeholder: model is being written */
