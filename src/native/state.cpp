// A model's state by parameter name (save, load, load a part), freezing, and TorchScript export.
#include <fnmatch.h>

#include <map>
#include <sstream>

#include "shim.h"

namespace tw {
namespace {

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

Named named_state(tw_model* model) {
  auto state = named_parameters_of(model);
  for (auto& b : named_buffers_of(model)) state.push_back(b);
  return state;
}

/// Whether `name` is selected by `pattern`: a part ("backbone", "head"), or a glob ("backbone.0.*").
bool selects(const std::string& pattern, const std::string& name) {
  if (pattern == "backbone" || pattern == "head" || pattern == "script") return in_part(name, pattern);
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

std::string shape_text(const torch::Tensor& t) { return c10::str(t.sizes()); }

}  // namespace
}  // namespace tw

extern "C" {

// The archive holds "names" (a list of strings) and the tensors "t0", "t1", ... in that order:
// names are the model's own ("backbone.0.weight"), so a part can be loaded into another model.
int tw_model_save(tw_model* model, uint8_t** data, int64_t* length) {
  return tw::guard([&] {
    tw::require(model != nullptr, "model must not be null");
    torch::serialize::OutputArchive archive;
    c10::List<std::string> names;
    int64_t i = 0;
    for (auto& [name, tensor] : tw::named_state(model)) {
      names.push_back(name);
      archive.write("t" + std::to_string(i++), tensor.detach().to(torch::kCPU), /*is_buffer=*/true);
    }
    archive.write("names", c10::IValue(names));
    tw::archive_to_buffer(archive, data, length);
  });
}

int tw_model_load(tw_model* model, const uint8_t* data, int64_t length, const char* part) {
  return tw::guard([&] {
    tw::require(model != nullptr, "model must not be null");
    torch::serialize::InputArchive archive;
    tw::archive_from_buffer(archive, data, length);
    c10::IValue names_value;
    tw::require(archive.try_read("names", names_value) && names_value.isList(),
                "this is not a TrainingWorkers model state (it has no parameter names)");
    std::map<std::string, int64_t> index;
    const auto names = names_value.toList();
    for (size_t i = 0; i < names.size(); ++i) index[names.get(i).toStringRef()] = static_cast<int64_t>(i);

    // Read and check everything first, so a mismatch changes nothing.
    std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
    const std::string selected = part == nullptr ? "" : part;
    for (auto& [name, tensor] : tw::named_state(model)) {
      if (!selected.empty() && !tw::in_part(name, selected)) continue;
      auto found = index.find(name);
      tw::require(found != index.end(), "the saved state is of another model: it has no '" + name + "'");
      torch::Tensor saved;
      archive.read("t" + std::to_string(found->second), saved, /*is_buffer=*/true);
      tw::require(saved.sizes() == tensor.sizes(), "the saved state is of another model: '" + name + "' has shape " +
                                                        tw::shape_text(saved) + " there, " + tw::shape_text(tensor) + " here");
      copies.emplace_back(tensor, saved);
    }
    tw::require(!copies.empty(), "no parameter of the model is in part '" + selected + "'");
    torch::NoGradGuard no_grad;
    for (auto& [target, saved] : copies) target.copy_(saved);
  });
}

int tw_model_set_trainable(tw_model* model, const char* pattern, int trainable, int64_t* matched) {
  return tw::guard([&] {
    tw::require(model != nullptr && pattern != nullptr && matched != nullptr, "arguments must not be null");
    *matched = 0;
    bool all_backbone_frozen = true;
    bool any_backbone = false;
    for (auto& [name, p] : tw::named_parameters_of(model)) {
      if (tw::selects(pattern, name)) {
        p.set_requires_grad(trainable != 0);
        ++*matched;
      }
      if (tw::in_part(name, "backbone")) {
        any_backbone = true;
        all_backbone_frozen = all_backbone_frozen && !p.requires_grad();
      }
    }
    model->backbone_frozen = any_backbone && all_backbone_frozen;
    model->mode = -1;  // the frozen part's eval mode must be applied on the next step
  });
}

}  // extern "C"
