"""Executing notebooks whose kernels send JSON under a misspelled mimetype.

Altair 6.3's ``mimetype`` renderer sends each chart as ``application/vnd.vegalite.v6.json``
(``.json`` for ``+json``). nbclient turns each message into an output with nbformat's
``output_from_msg``, which checks it against the notebook schema: a JSON object under
what the schema takes for a text mimetype fails that check, the exception ends the task
that reads the kernel's messages, and the run stops with about 300 lines of traceback
and "Kernel died". Every message's bundle is respelled first (``ocx_reports.charts.specs.respelled``),
so the chart is kept, under the key the report draws.

``RespellingClient`` goes into nbclient's client for our own runs (``ocx_reports.render``)
and into the ``ExecutePreprocessor`` that ``jupyter nbconvert --execute`` runs for the
report exporters.
"""

from __future__ import annotations

from nbconvert.preprocessors import ExecutePreprocessor

from ocx_reports.charts.specs import respelled

from .error_outputs import execution_failure


class RespellingClient:
    """Mixin for an nbclient ``NotebookClient``: respell each message's mimebundle before
    nbformat checks it."""

    def process_message(self, msg, cell, cell_index):
        content = msg.get("content")
        data = content.get("data") if isinstance(content, dict) else None
        if isinstance(data, dict):
            content["data"] = respelled(data)
        return super().process_message(msg, cell, cell_index)


class ReportExecutePreprocessor(RespellingClient, ExecutePreprocessor):
    """nbconvert's ``ExecutePreprocessor`` (``--execute``; its options still apply as
    ``ExecutePreprocessor.*``), surviving misspelled JSON mimetypes, and stopping a failed
    run with one line naming the cell."""

    def preprocess(self, nb, resources=None, km=None):
        from nbclient.exceptions import CellControlSignal, DeadKernelError

        try:
            return super().preprocess(nb, resources, km)
        except (CellControlSignal, DeadKernelError) as exc:
            kernel = nb.metadata.get("kernelspec", {}).get("name")
            raise execution_failure(nb, exc, kernel=kernel) from None
