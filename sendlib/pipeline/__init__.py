"""Meeting packs: definitions read and checked, reports run and rendered, the index, the
board cycle, the data update (the layer that writes reports/)."""
