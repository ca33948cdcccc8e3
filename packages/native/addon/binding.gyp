# Built by scripts/prebuild.mjs (the binaries the package ships, in
# prebuilds/<platform>-<arch>-abi<N>/) and by scripts/build.mjs (a binary for the
# running Node, in binaries/<platform>-<arch>-abi<N>/): one file per Node ABI, as the
# addon uses V8's SharedArrayBuffer API, which is not ABI-stable.
# Here in addon/, not at the package root: a binding.gyp at the root makes npm and
# pnpm compile the package at install (pnpm 12 then fails the install with
# ERR_PNPM_IGNORED_BUILDS until the user approves it), which prebuilt binaries avoid.
# No -std flag on purpose: Node's common.gypi picks C++17 (Node 20) or C++20 (Node 24).
{
  "targets": [
    {
      "target_name": "mp_native",
      "sources": [
        "module.cc",
        "segment.cc",
        "futex.cc",
        "parent_death.cc",
        "waiters.cc",
        "util.cc",
        "abi.cc"
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
