#include "service/plugin_host/plugin.h"

namespace docanalysis {

const char* IsolationName(Isolation isolation) {
  return isolation == Isolation::kProcess ? "process" : "in_process";
}

}  // namespace docanalysis
