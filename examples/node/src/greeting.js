'use strict';

/** The service's one piece of logic. */
function greeting(name) {
  return `hello, ${name || 'world'}\n`;
}

module.exports = { greeting };
