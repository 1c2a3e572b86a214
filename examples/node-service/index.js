'use strict'
// The ticket service as a library: build it, answer requests without sockets, or listen.
const { createService, PLAYBOOK_DEFAULTS, PLAYBOOK_PATH, MAX_EVENTS } = require('./service')
const { listen, MAX_BODY, REQUEST_TIMEOUT, HEADERS_TIMEOUT, MAX_CONNECTIONS } = require('./http')
const { RequestError } = require('./requests')

module.exports = { createService, listen, RequestError, PLAYBOOK_DEFAULTS, PLAYBOOK_PATH,
  MAX_BODY, MAX_EVENTS, REQUEST_TIMEOUT, HEADERS_TIMEOUT, MAX_CONNECTIONS }
