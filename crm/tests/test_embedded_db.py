from crm.embedded_db import _repair_handle_list


def test_a_cut_process_list_is_reset(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    for broken in ("", "[12, 3", "null}"):
        handles.write_text(broken)
        _repair_handle_list(tmp_path)
        assert handles.read_text() == "[]"


def test_a_good_process_list_is_kept(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    handles.write_text("[4, 5]")
    _repair_handle_list(tmp_path)
    assert handles.read_text() == "[4, 5]"
    _repair_handle_list(tmp_path / "missing")  # no folder yet: nothing to do
