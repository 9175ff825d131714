/* placeholder: hist is being written */
