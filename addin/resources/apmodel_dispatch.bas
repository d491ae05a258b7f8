Attribute VB_Name = "apmodel_dispatch"
' The AP Funding ribbon tab of apmodel.xlam (docs/excel-addin.md).
' Every button calls OnAction, which hands the button's id to Python; Python does the rest
' (apmodel.addin.commands.dispatch). APMODEL_VERSION, the apmodel version this add-in was
' built from, is in the apmodel_build module that 'apmodel addin build' writes: Python
' compares it with the installed package and explains any mismatch.
' With no workbook open (Excel's start screen) every button but New workbook is greyed out
' (GetEnabled, refreshed by apmodel_events when a workbook opens or closes), and a click that
' still arrives gets a plain message instead of a VBA error.
Option Explicit

Private ribbon As IRibbonUI
Private events As apmodel_events

Public Sub OnRibbonLoad(ui As IRibbonUI)
    Set ribbon = ui
    Set events = New apmodel_events
    Set events.App = Application
End Sub

Public Sub GetEnabled(control As IRibbonControl, ByRef enabled)
    enabled = NeedsNoWorkbook(control.Id) Or Not ActiveWorkbook Is Nothing
End Sub

Public Sub Refresh()
    If Not ribbon Is Nothing Then ribbon.Invalidate
End Sub

Private Function NeedsNoWorkbook(id As String) As Boolean
    NeedsNoWorkbook = (id = "new_workbook")
End Function

Public Sub OnAction(control As IRibbonControl)
    Dim scratch As Workbook
    If ActiveWorkbook Is Nothing Then
        If Not NeedsNoWorkbook(control.Id) Then
            MsgBox "Open a Forum workbook first: this button works on the workbook you have open.", vbInformation, "AP Funding"
            Exit Sub
        End If
        ' RunPython needs an active workbook: a blank one stands in, and is closed unsaved afterwards.
        Set scratch = Workbooks.Add
    End If
    RunPython "from apmodel.addin.commands import dispatch; dispatch('" & control.Id & "', '" & APMODEL_VERSION & "')"
    If Not scratch Is Nothing Then scratch.Close SaveChanges:=False
End Sub
