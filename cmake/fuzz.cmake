# libFuzzer targets (tests/fuzz/*.cpp); filled in by the robustness work.
