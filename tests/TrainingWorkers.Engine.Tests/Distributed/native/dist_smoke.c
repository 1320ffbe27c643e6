/*
 * GPU smoke test of the shim's data-parallel exports, for a machine without .NET (see the README's
 * "Data-parallel training" section): a group of one rank on a device, a model attached to it,
 * training steps through the gradient hook, the metric all-reduce, a byte broadcast, the stop flag.
 *   cc -I src/native dist_smoke.c -L build/cuda -ltw_native -Wl,-rpath,build/cuda -o dist_smoke
 *   ./dist_smoke cuda:0 29512
 * Exits 0 when every check passed, 1 at the first failure (with the shim's message).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../native/smoke_check.h"

int main(int argc, char** argv) {
  const char* device = argc > 1 ? argv[1] : "cpu";
  int port = argc > 2 ? atoi(argv[2]) : 29512;
  const char* version = NULL;
  int cuda = 0, gloo = 0, nccl = 0;
  CHECK(tw_init(4));
  CHECK(tw_torch_version(&version));
  CHECK(tw_cuda_device_count(&cuda));
  CHECK(tw_dist_has_backend("gloo", &gloo));
  CHECK(tw_dist_has_backend("nccl", &nccl));
  printf("libtorch %s, %d CUDA device(s), gloo %d, nccl %d, device %s\n", version, cuda, gloo, nccl, device);

  tw_model* model = NULL;
  tw_optimizer* optimizer = NULL;
  tw_process_group* group = NULL;
  CHECK(tw_manual_seed(1));
  CHECK(tw_model_create("input 4\nlinear 4 16\nrelu\nhead\nlinear 16 2\n", "cross_entropy", device, NULL, NULL, &model));
  CHECK(tw_optimizer_create(model, "adam lr=0.05", &optimizer));
  CHECK(tw_dist_create(device, "127.0.0.1", port, 0, 1, 20000, &group));
  CHECK(tw_dist_attach(group, model, optimizer, 1 << 20));

  float x[64 * 4];
  int64_t y[64];
  for (int i = 0; i < 64; ++i) {
    y[i] = i % 2;
    for (int j = 0; j < 4; ++j) x[i * 4 + j] = (float)((i % 2) * 2 - 1) * (float)(j + 1) * 0.25f;
  }
  float first = 0, loss = 0;
  int64_t correct = 0;
  for (int step = 0; step < 50; ++step) {
    CHECK(tw_train_step(model, optimizer, x, y, 64, &loss, &correct));
    if (step == 0) first = loss;
  }
  double seconds = 0;
  int64_t steps = 0, bytes = 0;
  CHECK(tw_dist_sync_stats(group, &seconds, &steps, &bytes));
  printf("loss %.4f -> %.4f, correct %lld/64, %lld synced steps, %lld bytes per step, %.3f ms per sync\n", first, loss,
         (long long)correct, (long long)steps, (long long)bytes, 1000.0 * seconds / (double)steps);
  EXPECT(loss < first * 0.5f, "the loss did not fall: %f -> %f", first, loss);
  EXPECT(steps == 50, "%lld synced steps", (long long)steps);
  EXPECT(bytes == (4 * 16 + 16 + 16 * 2 + 2 + 1) * 4, "%lld bytes per step", (long long)bytes);

  double values[3] = {1.0, 2.5, -3.0};
  CHECK(tw_dist_all_reduce(group, values, 3, TW_FLOAT64, TW_REDUCE_SUM));
  EXPECT(values[0] == 1.0 && values[1] == 2.5 && values[2] == -3.0, "all-reduce of one rank changed the values");
  uint8_t sent[5] = {9, 8, 7, 6, 5};
  uint8_t* received = NULL;
  int64_t length = 0;
  CHECK(tw_dist_broadcast_bytes(group, sent, 5, &received, &length));
  EXPECT(length == 5 && memcmp(sent, received, 5) == 0, "broadcast bytes differ");
  CHECK(tw_buffer_free(received));
  CHECK(tw_dist_barrier(group));

  int agreed = 1;
  CHECK(tw_dist_stop_agreed(group, &agreed));
  EXPECT(agreed == 0, "stop agreed before any request");
  CHECK(tw_dist_request_stop(group));
  CHECK(tw_train_step(model, optimizer, x, y, 64, &loss, &correct));
  CHECK(tw_dist_stop_agreed(group, &agreed));
  EXPECT(agreed == 1, "the stop request did not travel with the all-reduce");

  CHECK(tw_optimizer_free(optimizer));
  CHECK(tw_dist_free(group));
  CHECK(tw_model_free(model));
  printf("dist_smoke: all checks passed on %s\n", device);
  return 0;
}
