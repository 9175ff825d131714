/* placeholder: tmpl is being written */
