/* placeholder: run is being written */
