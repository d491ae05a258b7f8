Attribute VB_Name = "apmodel_dispatch"
' The AP Funding ribbon tab of apmodel.xlam (docs/excel-addin.md).
' Every button calls OnAction, which hands the button's id to Python; Python does the rest
' (apmodel.addin.commands.dispatch). APMODEL_VERSION, the apmodel version this add-in was
' built from, is in the apmodel_build module that 'apmodel addin build' writes: Python
' compares it with the installed package and explains any mismatch.
Option Explicit

Public Sub OnAction(control As IRibbonControl)
    RunPython "from apmodel.addin.commands import dispatch; dispatch('" & control.Id & "', '" & APMODEL_VERSION & "')"
End Sub
