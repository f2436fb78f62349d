# Thin targets over the npm scripts; the scripts are the source of truth.
.PHONY: install start-all start-split test-all lint typecheck migrate seed-data ci

install:
	npm install

start-all: ## every service in one process on http://localhost:8000 (embedded defaults)
	npm start

start-split: ## ECHO and PORTFOLIO as separate processes; needs DATABASE_URL, AMQP_URL, REDIS_URL
	npm run build
	node dist/server/main.js --service echo & node dist/server/main.js --service portfolio & wait

test-all: ## unit + integration (+ real components when TEST_*_URL are set) + browser
	npm test

lint:
	npm run lint

typecheck:
	npm run typecheck

migrate:
	npm run migrate

seed-data: ## demo data through the public API of a running server (BASE_URL, default :8000)
	npm run seed-data

ci: ## what CI runs
	.ci/run
