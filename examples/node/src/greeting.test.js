'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { greeting } = require('./greeting');

test('greets the world by default', () => assert.equal(greeting(), 'hello, world\n'));
test('greets by name', () => assert.equal(greeting('docker'), 'hello, docker\n'));
