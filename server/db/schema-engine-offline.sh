#!/bin/sh
# Stand-in for Prisma's schema-engine binary, which cannot be downloaded on this offline machine.
# `prisma generate` only asks the engine for its version; it never uses it to generate. Migrations
# are plain SQL applied by server/db/migrate.ts, so nothing here ever needs the real engine.
echo "schema-engine-cli 0.0.0-offline-stub"
