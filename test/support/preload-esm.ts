/**
 * Jest setup: evaluates Nest's ES modules before any test file imports a CommonJS package that require()s them
 * (@nestjs/throttler, nestjs-pino). Node allows require() of an ES module, but Jest's module runtime refuses it
 * while the ES module is still part of an import cycle being evaluated; loaded here first, it no longer is.
 */
import '@nestjs/common';
import '@nestjs/core';
