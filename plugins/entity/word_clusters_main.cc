// docanalysis-word-clusters: word classes for the entity tagger from pretrained word vectors.
//
//   docanalysis-word-clusters --vectors vectors.txt --out clusters.tsv [--k 1024,128,32]
//       [--iterations 20] [--seed 20030531] [--threads 2] [--drop_components 2]
//
// Input: one word per line followed by its vector ("word 0.1 -0.2 ...", the GloVe text format).
// Output: "word<TAB>fine<TAB>mid<TAB>coarse", 1-based cluster ids, in input order.
//
// Method: spherical k-means (vectors centred on the mean vector and stripped of their top principal
// components, the directions that encode word frequency rather than meaning ("all-but-the-top", Mu
// and Viswanath 2018), then scaled to unit length, each word assigned to the centroid of
// highest cosine, centroids the normalised means), k-means++ seeding from a fixed seed, a fixed
// number of iterations. The fine clusters are computed over the words; the mid clusters over the
// fine centroids (weighted by their sizes), the coarse ones over the mid centroids, so that the
// three levels nest. Deterministic: the same input and flags give the same output on any machine
// (the arithmetic is done in one fixed order; threads split the words, never a sum).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Flags {
  std::string vectors, out;
  std::vector<size_t> k = {1024, 128, 32};
  int iterations = 20;
  uint64_t seed = 20030531;
  int threads = 2;
  int drop_components = 2;
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: docanalysis-word-clusters --vectors VECTORS.txt --out CLUSTERS.tsv "
               "[--k FINE,MID,COARSE] [--iterations N] [--seed S] [--threads T] [--drop_components C]\n",
               msg);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--vectors") f.vectors = v;
    else if (a == "--out") f.out = v;
    else if (a == "--iterations") f.iterations = std::atoi(v.c_str());
    else if (a == "--seed") f.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--drop_components") f.drop_components = std::max(0, std::atoi(v.c_str()));
    else if (a == "--threads") f.threads = std::max(1, std::atoi(v.c_str()));
    else if (a == "--k") {
      f.k.clear();
      std::stringstream ss(v);
      std::string part;
      while (std::getline(ss, part, ',')) f.k.push_back(std::strtoul(part.c_str(), nullptr, 10));
      if (f.k.size() != 3 || f.k[0] < f.k[1] || f.k[1] < f.k[2] || f.k[2] < 2 || f.k[0] > 4095 || f.k[1] > 1023)
        Usage("--k FINE,MID,COARSE with FINE >= MID >= COARSE >= 2, FINE <= 4095, MID <= 1023");
    } else {
      Usage(("unknown flag " + a).c_str());
    }
  }
  if (f.vectors.empty() || f.out.empty()) Usage("--vectors and --out are required");
  if (f.iterations < 1) Usage("--iterations >= 1");
  return f;
}

// splitmix64: a fixed generator, so that seeding does not depend on the standard library.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
};

// Points (row-major n x d, unit length) with weights, clustered into k groups.
struct KMeans {
  const std::vector<float>& x;
  const std::vector<float>& weight;
  size_t n, d, k;
  int threads;
  std::vector<float> centroids;  // k x d
  std::vector<uint32_t> assign;

  void Normalise(float* v) const {
    double s = 0;
    for (size_t j = 0; j < d; ++j) s += static_cast<double>(v[j]) * v[j];
    float inv = s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
    for (size_t j = 0; j < d; ++j) v[j] *= inv;
  }

  // k-means++ seeding on cosine distance (1 - cos), weighted.
  void Seed(Rng& rng) {
    centroids.assign(k * d, 0.0f);
    std::vector<double> best(n, 2.0);
    size_t first = static_cast<size_t>(rng.Next() % n);
    std::copy(&x[first * d], &x[first * d] + d, &centroids[0]);
    for (size_t c = 1; c <= k; ++c) {
      const float* cc = &centroids[(c - 1) * d];
      double total = 0;
      for (size_t i = 0; i < n; ++i) {
        float dot = 0;
        for (size_t j = 0; j < d; ++j) dot += x[i * d + j] * cc[j];
        double dist = std::max(0.0, 1.0 - dot);
        if (dist < best[i]) best[i] = dist;
        total += best[i] * best[i] * weight[i];
      }
      if (c == k) break;
      double r = rng.Uniform() * total, acc = 0;
      size_t pick = n - 1;
      for (size_t i = 0; i < n; ++i) {
        acc += best[i] * best[i] * weight[i];
        if (acc >= r && best[i] > 0) {
          pick = i;
          break;
        }
      }
      std::copy(&x[pick * d], &x[pick * d] + d, &centroids[c * d]);
    }
  }

  // Assigns every point to the centroid of highest dot product (ties: the lowest id).
  void Assign() {
    assign.assign(n, 0);
    std::vector<float> ct(d * k);  // transposed: d x k, so the inner loop runs over centroids
    for (size_t c = 0; c < k; ++c)
      for (size_t j = 0; j < d; ++j) ct[j * k + c] = centroids[c * d + j];
    auto work = [&](size_t lo, size_t hi) {
      std::vector<float> score(k);
      for (size_t i = lo; i < hi; ++i) {
        std::fill(score.begin(), score.end(), 0.0f);
        const float* xi = &x[i * d];
        for (size_t j = 0; j < d; ++j) {
          const float v = xi[j];
          const float* row = &ct[j * k];
          for (size_t c = 0; c < k; ++c) score[c] += v * row[c];
        }
        assign[i] = static_cast<uint32_t>(std::max_element(score.begin(), score.end()) - score.begin());
      }
    };
    std::vector<std::thread> pool;
    size_t per = (n + threads - 1) / threads;
    for (int t = 0; t < threads; ++t) {
      size_t lo = std::min(n, t * per), hi = std::min(n, lo + per);
      pool.emplace_back(work, lo, hi);
    }
    for (std::thread& t : pool) t.join();
  }

  // New centroids: the normalised weighted means (an empty cluster keeps its centroid).
  size_t Update() {
    std::vector<double> sum(k * d, 0.0), mass(k, 0.0);
    for (size_t i = 0; i < n; ++i) {
      mass[assign[i]] += weight[i];
      for (size_t j = 0; j < d; ++j) sum[assign[i] * d + j] += static_cast<double>(weight[i]) * x[i * d + j];
    }
    size_t empty = 0;
    for (size_t c = 0; c < k; ++c) {
      if (mass[c] == 0) {
        ++empty;
        continue;
      }
      for (size_t j = 0; j < d; ++j) centroids[c * d + j] = static_cast<float>(sum[c * d + j]);
      Normalise(&centroids[c * d]);
    }
    return empty;
  }

  void Run(Rng& rng, int iterations, const char* level) {
    Seed(rng);
    for (int it = 0; it < iterations; ++it) {
      std::vector<uint32_t> before = assign;
      Assign();
      size_t moved = 0;
      if (before.size() == n)
        for (size_t i = 0; i < n; ++i) moved += before[i] != assign[i];
      size_t empty = Update();
      std::fprintf(stderr, "%s: iteration %d, %zu moved, %zu empty\n", level, it + 1,
                   before.size() == n ? moved : n, empty);
    }
    Assign();
  }
};

int Run(const Flags& flags) {
  std::ifstream in(flags.vectors);
  if (!in) throw std::runtime_error("cannot read " + flags.vectors);
  std::vector<std::string> words;
  std::vector<float> x;
  size_t d = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string w;
    if (!(ss >> w)) continue;
    std::vector<float> v;
    float f;
    while (ss >> f) v.push_back(f);
    if (d == 0) d = v.size();
    if (v.size() != d || d == 0) throw std::runtime_error("vector of the wrong size for " + w);
    words.push_back(w);
    x.insert(x.end(), v.begin(), v.end());
  }
  const size_t n = words.size();
  if (n < flags.k[0]) throw std::runtime_error("fewer words than fine clusters");
  std::fprintf(stderr, "%zu words, %zu dimensions\n", n, d);
  std::vector<float> ones(n, 1.0f);
  KMeans fine{x, ones, n, d, flags.k[0], flags.threads, {}, {}};
  std::vector<double> mean(d, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) mean[j] += x[i * d + j];
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) x[i * d + j] -= static_cast<float>(mean[j] / static_cast<double>(n));
  // Top principal components by power iteration on the covariance (with deflation), removed.
  std::vector<double> cov(d * d, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < d; ++a)
      for (size_t b = 0; b < d; ++b) cov[a * d + b] += static_cast<double>(x[i * d + a]) * x[i * d + b];
  for (int pc = 0; pc < flags.drop_components; ++pc) {
    std::vector<double> u(d, 1.0 / std::sqrt(static_cast<double>(d))), w(d);
    double lambda = 0;
    for (int it = 0; it < 200; ++it) {
      for (size_t a = 0; a < d; ++a) {
        w[a] = 0;
        for (size_t b = 0; b < d; ++b) w[a] += cov[a * d + b] * u[b];
      }
      double norm = 0;
      for (double v : w) norm += v * v;
      norm = std::sqrt(norm);
      lambda = norm;
      for (size_t a = 0; a < d; ++a) u[a] = w[a] / norm;
    }
    for (size_t a = 0; a < d; ++a)
      for (size_t b = 0; b < d; ++b) cov[a * d + b] -= lambda * u[a] * u[b];
    for (size_t i = 0; i < n; ++i) {
      double p = 0;
      for (size_t a = 0; a < d; ++a) p += x[i * d + a] * u[a];
      for (size_t a = 0; a < d; ++a) x[i * d + a] -= static_cast<float>(p * u[a]);
    }
    std::fprintf(stderr, "removed principal component %d (variance %.1f)\n", pc + 1, lambda / static_cast<double>(n));
  }
  for (size_t i = 0; i < n; ++i) fine.Normalise(&x[i * d]);
  Rng rng{flags.seed};
  fine.Run(rng, flags.iterations, "fine");

  // The levels above cluster the centroids of the level below, weighted by their sizes.
  std::vector<float> size_fine(flags.k[0], 0.0f);
  for (uint32_t a : fine.assign) size_fine[a] += 1.0f;
  KMeans mid{fine.centroids, size_fine, flags.k[0], d, flags.k[1], 1, {}, {}};
  mid.Run(rng, flags.iterations * 2, "mid");
  std::vector<float> size_mid(flags.k[1], 0.0f);
  for (size_t c = 0; c < flags.k[0]; ++c) size_mid[mid.assign[c]] += size_fine[c];
  KMeans coarse{mid.centroids, size_mid, flags.k[1], d, flags.k[2], 1, {}, {}};
  coarse.Run(rng, flags.iterations * 2, "coarse");

  std::ofstream out(flags.out);
  out << "# docanalysis-word-clusters: " << n << " words, k " << flags.k[0] << "/" << flags.k[1] << "/" << flags.k[2]
      << ", " << flags.iterations << " iterations, seed " << flags.seed << "\n";
  for (size_t i = 0; i < n; ++i) {
    uint32_t f = fine.assign[i], m = mid.assign[f], c = coarse.assign[m];
    out << words[i] << '\t' << f + 1 << '\t' << m + 1 << '\t' << c + 1 << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + flags.out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(ParseFlags(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "docanalysis-word-clusters: %s\n", e.what());
    return 1;
  }
}
