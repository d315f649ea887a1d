// small valid payloads shared by tests that need "a tool.invoked that passes"

/** A minimal valid `tool.invoked` payload (nullable keys null, empty summary). */
export const TOOL_INVOKED = {
  tool_name: 'search_docs',
  action_id: 'cfbfe645-b49b-41e4-845e-76f3fc3ce157',
  pipeline_run_id: null,
  request_id: null,
  timestamp: '2026-11-25T17:49:11.762381+00:00',
  payload_summary: {},
  behavior: null,
};
