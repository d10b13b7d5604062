// Uses the installed client: builds a request, creates a client, and calls an address where nothing listens.
#include <iostream>

#include "docanalysis/client/client.h"

int main() {
  docanalysis::AnalyzeOptions a;
  a.features = {"sentiment"};
  docanalysis::v1::AnalyzeRequest r = docanalysis::MakeRequest("Paris is nice.", a);
  if (r.document().content() != "Paris is nice." || r.features_size() != 1) return 1;
  docanalysis::ClientOptions o;
  o.target = "127.0.0.1:1";
  o.max_attempts = 1;
  o.timeout = std::chrono::seconds(5);
  auto c = docanalysis::Client::Create(o);
  if (!c.ok()) return 2;
  absl::Status s = (*c)->Analyze(r).status();
  std::cout << "consumer: " << s << "\n";
  return docanalysis::IsRetryable(s) ? 0 : 3;
}
