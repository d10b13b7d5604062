// The plugin's exported entry point (docanalysis_plugin_get_api); the class is in entity_plugin.cc.
#include "entity_plugin.h"

DOCANALYSIS_REGISTER_PLUGIN(docanalysis::entity::EntityPlugin, "entity", "1.0.0")
