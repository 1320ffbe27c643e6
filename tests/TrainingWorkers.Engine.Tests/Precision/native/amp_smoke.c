/*
 * Smoke test of the shim's mixed-precision exports, for a GPU machine without .NET (see the
 * README's "Data-parallel training" section); it runs on CPU too (bf16 and loss scaling in fp32).
 *   cc -I src/native amp_smoke.c -L build/native -ltw_native -Wl,-rpath,$PWD/build/native -o amp_smoke
 *   ./amp_smoke cuda:0
 * Exits 0 when every check passed, 1 at the first failure (with the shim's message).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../native/smoke_check.h"

static const char* const kLayers = "input 4\nlinear 4 16\nrelu\nhead\nlinear 16 2\n";
static const char* const kNames[] = {"fp32", "bf16", "fp16"};
static float x[64 * 4];
static int64_t y[64];

/* 50 Adam steps on a separable batch in one precision, loss-scaled when scale > 0. */
static int train(const char* device, int precision, double scale) {
  tw_model* model = NULL;
  tw_optimizer* optimizer = NULL;
  float first = 0, loss = 0;
  int64_t correct = 0;
  int outcome = -1;
  CHECK(tw_manual_seed(1));
  CHECK(tw_model_create(kLayers, "cross_entropy", device, NULL, NULL, &model));
  CHECK(tw_model_set_precision(model, precision));
  CHECK(tw_optimizer_create(model, "adam lr=0.05 clip_norm=1", &optimizer));
  CHECK(tw_optimizer_set_loss_scale(optimizer, scale));
  for (int step = 0; step < 50; ++step) {
    CHECK(tw_train_step(model, optimizer, x, y, 64, &loss, &correct));
    if (step == 0) first = loss;
  }
  CHECK(tw_optimizer_last_step(optimizer, &outcome));
  float outputs[64 * 2];
  double loss_sum = 0;
  CHECK(tw_eval_step(model, x, y, 64, &loss_sum, outputs));
  printf("%s, loss scale %g: loss %.4f -> %.4f, correct %lld/64, eval loss %.4f\n", kNames[precision], scale, first, loss,
         (long long)correct, loss_sum / 64);
  EXPECT(loss < first * 0.5f, "the loss did not fall: %f -> %f", first, loss);
  EXPECT(outcome == TW_STEP_TAKEN, "the last step's outcome is %d", outcome);
  EXPECT(fabsf(outputs[0] + outputs[1] - 1.0f) < 1e-4f, "outputs are not probabilities: %f + %f", outputs[0], outputs[1]);
  CHECK(tw_optimizer_free(optimizer));
  CHECK(tw_model_free(model));
  return 0;
}

/* A scale that overflows the gradients: the step is skipped and the parameters stay. */
static int overflow(const char* device) {
  tw_model* model = NULL;
  tw_optimizer* optimizer = NULL;
  float big[64 * 4], before[16 * 4 + 16 + 16 * 2 + 2], after[16 * 4 + 16 + 16 * 2 + 2], loss = 0;
  int64_t count = 0, correct = 0;
  int outcome = -1;
  for (int i = 0; i < 64 * 4; ++i) big[i] = x[i] * 1000.0f;
  CHECK(tw_model_create(kLayers, "cross_entropy", device, NULL, NULL, &model));
  CHECK(tw_optimizer_create(model, "adam lr=0.05", &optimizer));
  CHECK(tw_optimizer_set_loss_scale(optimizer, ldexp(1.0, 127)));
  CHECK(tw_model_parameters_copy(model, before, 16 * 4 + 16 + 16 * 2 + 2, &count));
  CHECK(tw_train_step(model, optimizer, big, y, 64, &loss, &correct));
  CHECK(tw_optimizer_last_step(optimizer, &outcome));
  CHECK(tw_model_parameters_copy(model, after, 16 * 4 + 16 + 16 * 2 + 2, &count));
  EXPECT(outcome == TW_STEP_SKIPPED, "a step with a 2^127 loss scale was not skipped (outcome %d)", outcome);
  EXPECT(memcmp(before, after, sizeof before) == 0, "a skipped step changed the parameters");
  printf("loss scale 2^127: step skipped, parameters unchanged\n");
  CHECK(tw_optimizer_free(optimizer));
  CHECK(tw_model_free(model));
  return 0;
}

int main(int argc, char** argv) {
  const char* device = argc > 1 ? argv[1] : "cpu";
  const char* version = NULL;
  int cuda = 0, benchmark = 0;
  CHECK(tw_init(4));
  CHECK(tw_torch_version(&version));
  CHECK(tw_cuda_device_count(&cuda));
  printf("libtorch %s, %d CUDA device(s), device %s\n", version, cuda, device);
  for (int i = 0; i < 64; ++i) {
    y[i] = i % 2;
    for (int j = 0; j < 4; ++j) x[i * 4 + j] = (float)((i % 2) * 2 - 1) * (float)(j + 1) * 0.25f;
  }
  const int on_cuda = strncmp(device, "cuda", 4) == 0;
  if (train(device, TW_PRECISION_FP32, 0) || train(device, TW_PRECISION_FP32, 65536) || train(device, TW_PRECISION_BF16, 0)) return 1;
  if (on_cuda && train(device, TW_PRECISION_FP16, 65536)) return 1;
  if (overflow(device)) return 1;
  if (!on_cuda) {
    tw_model* model = NULL;
    CHECK(tw_model_create(kLayers, "cross_entropy", device, NULL, NULL, &model));
    EXPECT(tw_model_set_precision(model, TW_PRECISION_FP16) == TW_E_ARGUMENT, "fp16 on %s was accepted", device);
    printf("fp16 on %s refused: %s\n", device, tw_last_error());
    CHECK(tw_model_free(model));
  }
  CHECK(tw_set_cudnn_benchmark(1));
  CHECK(tw_get_cudnn_benchmark(&benchmark));
  EXPECT(benchmark == 1, "cudnn benchmark did not stay on");
  printf("amp_smoke: all checks passed on %s\n", device);
  return 0;
}
