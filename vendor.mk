# Front-end libraries of the web UI (included by the Makefile). `make vendor` installs the versions
# pinned in package.json / package-lock.json from the npm registry and copies their built files and
# licences into service/static/vendor/, which is committed: serving and testing need no Node.
NPM ?= npm

.PHONY: vendor

vendor: package.json package-lock.json scripts/vendor.mjs
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	node scripts/vendor.mjs
