# Built by scripts/build.mjs (install / build / rebuild scripts), which copies the
# result to binaries/<platform>-<arch>-abi<N>/ so that one checkout can hold a
# binary per Node ABI (the addon uses V8's SharedArrayBuffer API: not ABI-stable).
# No -std flag on purpose: Node's common.gypi picks C++17 (Node 20) or C++20 (Node 24).
{
  "targets": [
    {
      "target_name": "mp_native",
      "sources": [
        "addon/module.cc",
        "addon/segment.cc",
        "addon/futex.cc",
        "addon/parent_death.cc",
        "addon/waiters.cc",
        "addon/util.cc",
        "addon/abi.cc"
      ],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter"],
      # -z nodelete: Node dlclose()s an addon when the last worker that loaded it
      # ends, but V8 frees that worker's SharedArrayBuffers (calling our munmap
      # deleter) later, in Heap::TearDown, and a waiter thread may still be
      # returning through our code: the library must stay mapped for good.
      "ldflags": ["-Wl,-z,nodelete"],
      "libraries": ["-lrt", "-lpthread"]
    }
  ]
}
