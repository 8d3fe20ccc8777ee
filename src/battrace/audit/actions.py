"""Every action the audit log records, one member each: the tag stored in `audit_events.action`
(``subject:action``). The stored spellings are kept as they were written (some subjects are
camelCase or snake_case), so events recorded before and after read alike.
"""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    ACCOUNT_CREATE = "account:create"
    ACCOUNT_PASSWORD_CHANGE = "account:password-change"
    APIKEY_ISSUE = "apikey:issue"
    CERTIFICATE_ATTACH = "certificate:attach"
    CERTIFICATE_FILE_DELETE = "certificate:file-delete"
    CERTIFICATE_FILE_UPLOAD = "certificate:file-upload"
    CFP_CREATE = "cfp:create"
    CFP_UPDATE = "cfp:update"
    DATA_RESET = "data:reset"
    DD_ASSURANCE_IMPORT = "dd_assurance:import"
    DD_EVIDENCE_STORE = "dd_evidence:store"
    DD_REQUEST_CANCEL = "dd_request:cancel"
    DD_REQUEST_SEND = "dd_request:send"
    DD_REQUEST_SEND_BACK = "dd_request:send_back"
    DD_RESPONSE_SUBMIT = "dd_response:submit"
    DD_TEMPLATE_DEFINE = "dd_template:define"
    DISCLOSURE_SET = "disclosure:set"
    EMISSION_FACTOR_ASSIGN = "emissionFactor:assign"
    EMISSION_FACTOR_CREATE = "emissionFactor:create"
    EMISSION_FACTOR_DELETE = "emissionFactor:delete"
    EMISSION_FACTOR_UNASSIGN = "emissionFactor:unassign"
    OPERATOR_CREATE = "operator:create"
    OPERATOR_UPDATE = "operator:update"
    PART_DELETE = "part:delete"
    PLANT_SAVE = "plant:save"
    STRUCTURE_SAVE = "structure:save"
    TRADE_AMEND = "trade:amend"
    TRADE_CANCEL = "trade:cancel"
    TRADE_LINK = "trade:link"
    TRADE_REJECT = "trade:reject"
    TRADE_REPLY = "trade:reply"
    TRADE_REQUEST = "trade:request"
