Attribute VB_Name = "apmodel_layout"
' Finds the workbook's tables and formats what a button wrote, each in one call from Python and in
' Excel's own process (apmodel.workbook.xlwings_layout and xlwings_store).
' Python writes values, sheets and tables, then sends all their formatting here as one text in
' one Application.Run: a call from Python into Excel is a round trip between processes, and a
' sheet's formatting done call by call is hundreds of them. Steps are separated by Chr(30),
' fields by Chr(31): op, sheet, target, then the op's fields (xlwings_layout.OPS declares them;
' a test checks this module handles exactly those). Numbers come as text with a point for the
' decimals, which Val reads in any locale. A step that fails is skipped and reported; Python
' applies it itself. Nothing here raises to the user: the answer is always a text.
Option Explicit

Private Const STEP_SEPARATOR As Long = 30
Private Const FIELD_SEPARATOR As Long = 31
Private Const UNDERLINE_SINGLE As Long = 2
Private Const ALIGN_BOTTOM As Long = -4107

' Applies every step of plan to the workbook named bookName. Returns "" when every step was
' applied, else the failed steps' numbers (from 0), comma-separated; "-1" if nothing could be done.
Public Function ApplyLayout(ByVal bookName As String, ByVal plan As String) As String
    Dim book As Workbook
    Dim steps() As String
    Dim fields() As String
    Dim index As Long
    Dim failed As String
    On Error GoTo CannotStart
    Set book = Application.Workbooks(bookName)
    steps = Split(plan, Chr(STEP_SEPARATOR))
    Application.PrintCommunication = False
    For index = LBound(steps) To UBound(steps)
        fields = Split(steps(index), Chr(FIELD_SEPARATOR))
        If Not ApplyStep(book, fields) Then
            If Len(failed) > 0 Then failed = failed & ","
            failed = failed & CStr(index)
        End If
    Next index
    Application.PrintCommunication = True
    ApplyLayout = failed
    Exit Function
CannotStart:
    Application.PrintCommunication = True
    ApplyLayout = "-1"
End Function

' The workbook's sheets and tables in one answer, for Python's index of them: a record per
' worksheet ("S", its name) and after it one per table on it ("T", name, address, header 1/0,
' totals row 1/0), separated as a plan is (xlwings_store.parse_index reads it). "" if the
' workbook cannot be read: Python then finds the tables itself, one by one.
Public Function ReadIndex(ByVal bookName As String) As String
    Dim sheet As Worksheet
    Dim table As ListObject
    Dim answer As String
    On Error GoTo CannotRead
    For Each sheet In Application.Workbooks(bookName).Worksheets
        If Len(answer) > 0 Then answer = answer & Chr(STEP_SEPARATOR)
        answer = answer & "S" & Chr(FIELD_SEPARATOR) & sheet.Name
        For Each table In sheet.ListObjects
            answer = answer & Chr(STEP_SEPARATOR) & "T" & Chr(FIELD_SEPARATOR) & table.Name
            answer = answer & Chr(FIELD_SEPARATOR) & table.Range.Address
            answer = answer & Chr(FIELD_SEPARATOR) & Flag(table.ShowHeaders) & Chr(FIELD_SEPARATOR) & Flag(table.ShowTotals)
        Next table
    Next sheet
    ReadIndex = answer
    Exit Function
CannotRead:
    ReadIndex = ""
End Function

Private Function Flag(ByVal value As Boolean) As String
    If value Then
        Flag = "1"
    Else
        Flag = "0"
    End If
End Function

' Each column of cells narrower than width is widened to it (a column of figures showing ####).
Private Sub WidenColumns(ByVal cells As Range, ByVal width As Double)
    Dim part As Range
    For Each part In cells.Columns
        If part.ColumnWidth < width Then part.ColumnWidth = width
    Next part
End Sub

Private Function ApplyStep(ByVal book As Workbook, fields() As String) As Boolean
    Dim sheet As Worksheet
    On Error GoTo Failed
    Set sheet = book.Worksheets(fields(1))
    Select Case fields(0)
        Case "font"
            SetFont sheet.Range(fields(2)).Font, fields
        Case "width"
            sheet.Range(fields(2)).ColumnWidth = Val(fields(3))
        Case "widen"
            WidenColumns sheet.Range(fields(2)), Val(fields(3))
        Case "height"
            sheet.Range(fields(2)).RowHeight = Val(fields(3))
        Case "format"
            sheet.Range(fields(2)).NumberFormat = fields(3)
        Case "wrap"
            sheet.Range(fields(2)).WrapText = True
        Case "bottom"
            sheet.Range(fields(2)).VerticalAlignment = ALIGN_BOTTOM
        Case "page"
            SetPage sheet, fields
        Case "alt"
            sheet.Shapes(fields(2)).Title = fields(3)
            sheet.Shapes(fields(2)).AlternativeText = fields(4)
        Case "freeze"
            FreezeRows sheet, CLng(Val(fields(3)))
        Case Else
            GoTo Failed
    End Select
    ApplyStep = True
    Exit Function
Failed:
    ApplyStep = False
End Function

Private Sub SetFont(ByVal look As Object, fields() As String)
    If fields(3) = "1" Then look.Bold = True
    If fields(4) = "1" Then look.Italic = True
    If Len(fields(5)) > 0 Then look.Size = Val(fields(5))
    If Len(fields(6)) = 6 Then
        look.Color = RGB(CLng("&H" & Mid$(fields(6), 1, 2)), CLng("&H" & Mid$(fields(6), 3, 2)), CLng("&H" & Mid$(fields(6), 5, 2)))
    End If
    If fields(7) = "1" Then look.Underline = UNDERLINE_SINGLE
End Sub

' Excel freezes panes on a window, not a sheet: the sheet is shown for a moment (screen updating
' is off), then the sheet that was showing is shown again.
Private Sub FreezeRows(ByVal sheet As Worksheet, ByVal rows As Long)
    Dim shown As Object
    Set shown = sheet.Parent.ActiveSheet
    sheet.Activate
    With ActiveWindow
        .FreezePanes = False
        .SplitColumn = 0
        .SplitRow = rows
        .FreezePanes = True
    End With
    shown.Activate
End Sub

Private Sub SetPage(ByVal sheet As Worksheet, fields() As String)
    With sheet.PageSetup
        .PaperSize = CLng(Val(fields(3)))
        .Orientation = CLng(Val(fields(4)))
        .Zoom = False
        .FitToPagesWide = 1
        .FitToPagesTall = False
        .LeftMargin = Val(fields(5))
        .RightMargin = Val(fields(6))
        .TopMargin = Val(fields(7))
        .BottomMargin = Val(fields(8))
        .HeaderMargin = Val(fields(9))
        .FooterMargin = Val(fields(10))
        If Len(fields(11)) > 0 Then .PrintTitleRows = fields(11)
        .LeftFooter = fields(12)
        .CenterFooter = fields(13)
        .RightFooter = fields(14)
    End With
    sheet.Tab.Color = CLng(Val(fields(15)))
End Sub
