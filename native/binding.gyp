{
  "targets": [
    {
      "target_name": "isolated_test",
      "sources": [
        "src/addon.c",
        "src/napi_util.c",
        "src/procs.c",
        "src/dontfork.c",
        "src/textfile.c",
        "src/maps.c",
        "src/filemaps.c",
        "src/hugetext.c",
        "src/child.c",
        "src/serve.c",
        "src/platform.c",
        "src/stack.c"
      ],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "libraries": ["-ldl", "-lpthread"],
      "ldflags": ["-Wl,-z,now"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-fno-strict-aliasing", "-U_FORTIFY_SOURCE"],
      "conditions": [["OS!='linux'", { "type": "none" }]]
    }
  ]
}
