# The two commands of the README: `make demo` and `make check`. Both install
# what is missing first (scripts/deps.sh, apt-get), so a fresh Debian 12
# machine needs nothing else.

BUILD       ?= build
CHECK_BUILD ?= build-check
FUZZ_BUILD  ?= build-fuzz
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE       ?= cmake

.PHONY: all build deps check demo preflight fuzz bench format format-check golden clean help package image

all: build

help:
	@echo "make deps     install missing Debian packages (apt-get; needs root)"
	@echo "make          build reachmap into $(BUILD)/"
	@echo "make check    deps, then an ASan+UBSan -Werror build and every test (ctest)"
	@echo "make demo     deps, build, then run the demo"
	@echo "make preflight  deps, build, then the pre-flight flow in the lab (root): plan, agents, check"
	@echo "make fuzz     build the libFuzzer targets with clang into $(FUZZ_BUILD)/"
	@echo "make bench    an optimized build in build-bench/, then bench/analyze, bench/store, bench/collect, bench/top, bench/sweep, bench/agent and bench/detect (root)"
	@echo "make golden   regenerate the golden files after an intended output change"
	@echo "make format   clang-format every C file in place"
	@echo "make package  an optimized build in build-pkg/, then cpack: build-pkg/reachmap_VERSION_ARCH.deb"
	@echo "make image    the container image with podman, no registry (root): localhost/reachmap, build/reachmap-image.tar"

deps:
	@bash scripts/deps.sh

build:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	$(CMAKE) --build $(BUILD) -j $(JOBS)

check: deps
	$(CMAKE) -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DREACHMAP_SANITIZE=ON -DREACHMAP_WERROR=ON >/dev/null
	$(CMAKE) --build $(CHECK_BUILD) -j $(JOBS)
	cd $(CHECK_BUILD) && ctest --output-on-failure -j $(JOBS) \
		--resource-spec-file $(CURDIR)/tests/lab/resources.json

demo: deps build
	@bash scripts/demo.sh $(BUILD)/cli/reachmap

preflight: deps build
	@bash scripts/preflight.sh --reachmap $(BUILD)/cli/reachmap $(SCENARIO)

fuzz: deps
	$(CMAKE) -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DREACHMAP_FUZZ=ON -DREACHMAP_SANITIZE=ON >/dev/null
	$(CMAKE) --build $(FUZZ_BUILD) -j $(JOBS)

bench: deps
	$(CMAKE) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DREACHMAP_SANITIZE=OFF >/dev/null
	$(CMAKE) --build build-bench -j $(JOBS)
	build-bench/bench/bench-analyze
	build-bench/bench/bench-store
	-build-bench/bench/bench-collect build-bench/cli/reachmap
	@bash bench/top build-bench/cli/reachmap
	@bash bench/sweep build-bench/cli/reachmap
	@bash bench/agent build-bench/cli/reachmap
	@bash bench/detect build-bench/cli/reachmap

golden: build
	@bash tests/golden/regen.sh $(BUILD)/cli/reachmap

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

# The Debian package (packaging/CMakeLists.txt): Depends from dpkg-shlibdeps;
# lintian's view of it when lintian is installed (not a dependency: slow).
package: deps
	$(CMAKE) -S . -B build-pkg -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
		-DBUILD_TESTING=OFF -DREACHMAP_SANITIZE=OFF >/dev/null
	$(CMAKE) --build build-pkg -j $(JOBS)
	cd build-pkg && cpack -G DEB
	@if command -v lintian >/dev/null; then lintian build-pkg/reachmap_*.deb || true; fi
# The container image (manifests/Containerfile) on a Debian 12 base that
# mmdebstrap makes from Debian's packages; REACHMAP_IMAGE_BASE=debian:12 uses
# a registry instead. Caches live in podman's storage and build/image/.
image:
	@bash scripts/deps.sh image
	@bash scripts/image.sh build

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD) build-bench build-pkg
